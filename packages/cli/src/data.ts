import path from 'node:path';
import { type Dataset, ErrorCode, loadManifest, type ModelSpec, OmnifuseError } from '@omnifuse/core';

/** The config's manifest (its `data`, relative to the config), loaded; an error says to add it. */
export async function loadConfigData(spec: ModelSpec, configFile: string): Promise<Dataset> {
  if (!spec.data) {
    throw new OmnifuseError({
      code: ErrorCode.InvalidConfig,
      message: 'the config names no data: add "data": "<manifest path relative to the config>"',
      path: 'data',
      file: configFile,
    });
  }
  return loadManifest(path.resolve(path.dirname(configFile), spec.data));
}
