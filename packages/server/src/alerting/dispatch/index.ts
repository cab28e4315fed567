export { Route, type RouteOpts } from './route.js';
export { AggrGroup, type FlushFn } from './group.js';
export { Dispatcher } from './dispatcher.js';
