// Kept in step with package.json by hand (the package has no code generator).
export const PACKAGE_NAME = "@respan/instrumentation-pipecat";
export const PACKAGE_VERSION = "0.1.0";
