export * from './event-store/index';
export * from './document-store/index';
