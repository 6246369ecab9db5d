/** The query-analyzer enrichment service: see query-analyzer.ts and pipeline/core/analysis.ts. */
export { createQueryAnalyzer, QUERY_ANALYZER_ID, DEFAULT_CLASSIFY_TIMEOUT_MS } from './query-analyzer.js';
export type { QueryAnalyzer, QueryAnalyzerDeps } from './query-analyzer.js';
export { analyzeMessage, analysisToAnnotations } from './analyze-message.js';
export type { AnalyzeOptions, MessageAnalysis, MessageInput } from './analyze-message.js';
export { AnalyzerState, DEFAULT_ANALYZER_STATE_OPTIONS } from './analyzer-state.js';
export type { AnalyzerStateOptions, MessageObservation } from './analyzer-state.js';
export { cleanText, estimateTokens } from './text-cleaning.js';
