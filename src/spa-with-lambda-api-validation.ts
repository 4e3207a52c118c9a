import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { apiTimeout, validateApiOptions } from './api/api-origin';
import { validateStreamingFunction } from './api/streaming-function';
import { validateStreamingApiOptions } from './api/streaming-origin';
import { validateDomainOptions } from './distribution/domain';
import { validateDistributionOptions } from './distribution/spa-distribution';
import { validateMonitoringSettings } from './monitoring/monitoring-validation';
import { PropErrors } from './private/validation';
import { validateRouting } from './routing/spa-routing-validation';
import { validateSiteOptions } from './site/spa-site';
import { SpaWithLambdaApiProps } from './spa-with-lambda-api-props';

/** Validates every part's props in one place, before anything is built, and throws once with every problem. */
export function validateSpaWithLambdaApiProps(scope: Construct, id: string, props: SpaWithLambdaApiProps): void {
  const errors = new PropErrors();
  validateSiteOptions(errors, props.site);
  validateRouting(errors, props.site, props.api.prefix ?? '/api');
  validateApiOptions(errors, props.api);
  validateStreamingApiOptions(errors, props.api);
  validateStreamingFunction(errors, props.api, 'api.', Stack.of(scope));
  if (props.monitoring && (props.monitoring.enabled ?? true)) {
    validateMonitoringSettings(errors, props.monitoring, 'monitoring.', apiTimeout(props.api), props.api.streaming === true);
  }
  validateDistributionOptions(errors, props);
  if (props.domain) {
    validateDomainOptions(errors, props.domain, Stack.of(scope));
  }
  errors.throwIfAny('SpaWithLambdaApi', id);
}
