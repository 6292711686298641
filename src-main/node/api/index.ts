// The node's local API: the HTTP + WebSocket server of the contract in core/api, its client, and
// the two files in the data dir through which they meet (the token and the endpoint).
export { ApiClient, type StreamEnd } from './client.js';
export {
  API_PATH_PREFIX,
  ENDPOINT_FILE,
  EVENTS_PATH,
  HEALTH_PATH,
  readApiEndpoint,
  removeApiEndpoint,
  TOKEN_PROTOCOL_PREFIX,
  writeApiEndpoint,
  type ApiEndpoint,
} from './endpoint.js';
export { dispatchCall, isMethodName, type ApiReply } from './dispatch.js';
export { ApiError, HTTP_STATUS_OF, noNodeRunning } from './errors.js';
export { BUILT_UI_DIR, uiContentSecurityPolicy, webUiUrl } from './static-ui.js';
export { startApiServer, type ApiServer, type ApiServerOptions } from './server.js';
export { loadOrCreateToken, readToken, TOKEN_FILE, tokenMatches } from './token.js';
