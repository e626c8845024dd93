#!/usr/bin/env node
// Runs the TypeScript entry through tsx: the workspace consumes its packages from source.
import { register } from "tsx/esm/api";

register();
await import("../src/bin.ts");
