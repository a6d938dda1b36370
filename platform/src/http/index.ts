export * from './problem-error';
export * from './validate';
export * from './request-context';
export * from './json-body';
export * from './error-handler';
export * from './bearer';
export * from './metrics';
export * from './create-http-app';
