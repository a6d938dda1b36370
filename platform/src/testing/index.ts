export * from './docker-engine';
export * from './small-filesystem';
export * from './test-server';
