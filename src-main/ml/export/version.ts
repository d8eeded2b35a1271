/** The Pretext version written into exported files and reports (package.json's, bundled at build). */
import pkg from '../../../package.json';

export const PRETEXT_VERSION: string = (pkg as { version: string }).version;
