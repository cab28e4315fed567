export { Silences, SilenceError, silenceState, matcherType, type Silence, type SilenceMatcher, type SilenceState } from './silences.js';
