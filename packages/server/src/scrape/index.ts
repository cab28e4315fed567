// Scraping: scrape_configs, target discovery (static, file), scrape loops, staleness, `up`,
// and the /api/v1/targets endpoints.
export {
  DEFAULT_GLOBAL, parseByteSize, parseGlobalConfig, parseHTTPClientConfig, parseScrapeConfig, parseScrapeConfigs,
  type Authorization, type BasicAuth, type FileSDConfig, type GlobalConfig, type HTTPClientConfig, type ScrapeConfig,
  type TargetGroup, type TLSConfig,
} from './config.js';
export { FileSD, parseFileSDContent } from './filesd.js';
export { HTTPScraper, ScrapeHTTPError, type ScrapeResponse } from './http.js';
export { ScrapeLoop, ScrapeLimitError, mutateSampleLabels, type Fetcher } from './loop.js';
export {
  ScrapeManager, type ActiveTargetInfo, type DroppedTargetInfo, type InternalScrapeConfig, type ScrapeManagerConfig,
  type ScrapeManagerOptions,
} from './manager.js';
export { Target, populateTarget, type PopulateResult, type TargetHealth } from './target.js';
export { registerMetadataRoute, registerTargetRoutes, scrapeMetadata, targetsResponse, parseMatcherSet, type TargetRoutesDeps } from './api.js';
export { RecordingAppendable, type RecordedSeries } from './recorder.js';
