export * from './sending-domain';
export * from './verified-from';
