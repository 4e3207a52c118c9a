import { Duration, Token } from 'aws-cdk-lib';
import type { SpaMonitoringSettings } from './monitoring-options';
import { MAX_STREAMING_TIMEOUT_SECONDS } from '../api/streaming-function';
import { LIMITS, PropErrors, show } from '../private/validation';

/** The monitoring settings both the facade and SpaMonitoring validate. */
export type MonitoringSettingsToValidate = SpaMonitoringSettings;

const DASHBOARD_NAME_RE = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * Validates monitoring settings: thresholds an alarm can reach, and no contradicting topic options.
 * @param prefix the prop path shown in messages, `monitoring.` in the facade, empty in SpaMonitoring
 * @param functionTimeout the function's timeout, when known, to check the duration threshold against
 */
export function validateMonitoringSettings(errors: PropErrors, s: MonitoringSettingsToValidate, prefix: string,
  functionTimeout?: Duration, streaming: boolean = false): void {
  if (s.alarmTopic !== undefined && s.createAlarmTopic === true) {
    errors.add(`${prefix}alarmTopic is set and ${prefix}createAlarmTopic is true, but the alarms notify one topic. `
      + `Pass your topic in ${prefix}alarmTopic, or set ${prefix}createAlarmTopic to create one, not both.`);
  }

  for (const [name, value] of [
    ['functionErrorsThreshold', s.functionErrorsThreshold],
    ['functionThrottlesThreshold', s.functionThrottlesThreshold],
    ['apiServerErrorsThreshold', s.apiServerErrorsThreshold],
    ['originVerificationRefusedThreshold', s.originVerificationRefusedThreshold],
  ] as const) {
    if (value !== undefined && !Token.isUnresolved(value) && (!Number.isInteger(value) || value < 1)) {
      errors.add(`${prefix}${name} is ${show(value)}, but it must be a whole number of at least 1 (the alarm fires when the count in `
        + '5 minutes reaches it; 0 would keep it in alarm). Use 1 to be told of every occurrence, or leave it unset for the default.');
    }
  }

  const rate = s.cloudFront5xxErrorRateThreshold;
  if (rate !== undefined && !Token.isUnresolved(rate) && !(rate > 0 && rate <= 100)) {
    errors.add(`${prefix}cloudFront5xxErrorRateThreshold is ${show(rate)}, but it is a percentage of requests and must be `
      + 'greater than 0 and at most 100. Use for example 5 (percent), or leave it unset for the default.');
  }

  const duration = s.functionDurationThreshold;
  if (duration !== undefined && !duration.isUnresolved()) {
    if (duration.toMilliseconds() <= 0) {
      errors.add(`${prefix}functionDurationThreshold is ${show(duration)}, but it must be longer than 0. `
        + 'Use a duration close to the function timeout, or leave it unset for 90% of the timeout.');
    } else if (functionTimeout && !functionTimeout.isUnresolved() && duration.toMilliseconds() > functionTimeout.toMilliseconds()) {
      errors.add(`${prefix}functionDurationThreshold is ${show(duration)}, but the function times out after ${show(functionTimeout)}, `
        + 'so its duration never exceeds that and the alarm could never fire. Use at most the timeout, or leave it unset for 90% of the timeout.');
    }
  }

  const latency = s.apiLatencyThreshold;
  if (latency !== undefined && !latency.isUnresolved()) {
    const ms = latency.toMilliseconds();
    if (streaming && (ms <= 0 || ms > MAX_STREAMING_TIMEOUT_SECONDS * 1000)) {
      errors.add(`${prefix}apiLatencyThreshold is ${show(latency)}, but it must be longer than 0 and at most 15 minutes, the longest a `
        + 'streaming function runs. Use for example Duration.minutes(2), or leave it unset for no latency alarm in streaming mode.');
    } else if (!streaming && (ms <= 0 || ms > LIMITS.maxApiTimeoutSeconds * 1000)) {
      errors.add(`${prefix}apiLatencyThreshold is ${show(latency)}, but it must be longer than 0 and at most 30 seconds: `
        + 'the HTTP API answers every request within its 30-second integration timeout, so a longer threshold could never be reached. '
        + 'Use for example Duration.seconds(5), or leave it unset for the default.');
    }
  }

  const name = s.dashboardName;
  if (name !== undefined && !Token.isUnresolved(name) && !DASHBOARD_NAME_RE.test(name)) {
    errors.add(`${prefix}dashboardName is ${show(name)}, but CloudWatch dashboard names have 1 to 255 letters, digits, "-" and "_" only. `
      + 'Choose such a name, or leave it unset for a generated one.');
  }
}
