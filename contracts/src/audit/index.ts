export * from './canonical-json';
export * from './hash-chain';
export * from './running-hash';
export * from './history-verifier';
export * from './checkpoint-jws';
