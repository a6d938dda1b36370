export * from './txt-lookup';
