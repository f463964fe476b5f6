/** Whether the environment turns tracing on; kept apart from tracing.ts so checking it loads no OpenTelemetry code. */

/** True when the standard variables name an OTLP endpoint for traces (and the SDK is not disabled). */
export function otlpTracesConfigured(env: NodeJS.ProcessEnv): boolean {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return Boolean(endpoint) && env.OTEL_SDK_DISABLED?.trim().toLowerCase() !== 'true';
}
