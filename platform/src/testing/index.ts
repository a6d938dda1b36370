export * from './docker-engine';
export * from './small-filesystem';
