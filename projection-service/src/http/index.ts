export { progressLine, rebuildRoutes, type Rebuilder } from './rebuild-routes';
