export * from './spa-with-lambda-api';
export * from './fastapi-function';
export * from './spa-routing';
