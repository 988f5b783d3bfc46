/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** The deployment config as inline JSON (instead of `/deployment.json`). */
  readonly VITE_DEPLOYMENT?: string;
}
