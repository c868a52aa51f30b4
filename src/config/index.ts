export { loadConfig, assertSite, PACKAGE_ROOT, CONFIG_FILE_NAME } from './load.js';
export { SETTINGS, PROFILES, FORMATS, LOG_LEVELS, envNameFor, type ProfileName, type SettingDef } from './settings.js';
export { secretsOf, type Config, type ConfigSource } from './types.js';
