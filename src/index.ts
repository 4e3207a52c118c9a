export * from './spa-with-lambda-api';
export * from './fastapi-function';
export * from './python-bundling-options';
export * from './function-secret';
export * from './spa-routing';
export * from './monitoring';
export * from './github-deploy-role';
export * from './origin-verification';
