// Built-in host collector with node_exporter-compatible names and labels.
export {
  HostAgent, hostAgentScrapeConfig, registerHostAgentRoutes, CONTENT_TYPE,
  DEFAULT_DISK_DEVICE_EXCLUDE, DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE, DEFAULT_NET_DEVICE_EXCLUDE,
  type HostAgentOptions,
} from './agent.js';
export { COLLECTORS, type Collector, type CollectorContext } from './collectors.js';
export { ExpositionWriter, formatValue } from './exposition.js';
