export * from './spa-with-lambda-api';
export * from './api/fastapi-function';
export * from './bundling/python-bundling-options';
export * from './api/function-secret';
export * from './routing/spa-routing';
export * from './monitoring/monitoring';
export * from './deploy-role/github-deploy-role';
export * from './api/origin-verification';
