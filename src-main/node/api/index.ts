// The node's local API: the HTTP + WebSocket server of the contract in core/api, its client, and
// the two files in the data dir through which they meet (the token and the endpoint).
export { ApiClient } from './client.js';
export { ENDPOINT_FILE, readApiEndpoint, removeApiEndpoint, writeApiEndpoint } from './endpoint.js';
export { ApiError } from './errors.js';
export { BUILT_UI_DIR, webUiUrl } from './static-ui.js';
export { startApiServer, type ApiBackend, type ApiServer } from './server.js';
export { loadOrCreateToken, TOKEN_FILE, tokenMatches } from './token.js';
