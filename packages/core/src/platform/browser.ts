/**
 * Core's browser (and default) platform: no async-context storage (scopes use a plain
 * stack, so async scopes must not interleave) and no file system. Imports no Node built-in.
 */
import { UnsupportedPlatformError } from "../errors.js";
import type { CorePlatform } from "./types.js";

function noFiles(what: string): never {
  throw new UnsupportedPlatformError(`${what}: this platform has no file system; use the bytes or text form instead (toBytes/fromBytes, toSVG)`);
}

/** Browser platform services. */
export const platform: CorePlatform = {
  asyncStorage: () => null,
  writeFile: async (path) => noFiles(`writing "${path}"`),
  readFile: async (path) => noFiles(`reading "${path}"`),
  fileSize: async (path) => noFiles(`reading "${path}"`),
  listDir: async (path) => noFiles(`listing "${path}"`),
  removeFile: async (path) => noFiles(`deleting "${path}"`),
  joinPath: (...parts) => parts.join("/").replace(/\/+/g, "/"),
  pathFromUrl: (url) => noFiles(`opening "${url}"`),
};
