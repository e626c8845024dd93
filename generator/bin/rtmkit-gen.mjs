#!/usr/bin/env node
// The workspace's `rtmkit-gen`: runs the TypeScript entry through tsx (the workspace consumes its packages
// from source). The published package's bin is dist/bin.mjs (publishConfig.bin), plain node.
import { register } from "tsx/esm/api";

register();
await import("../src/bin.ts");
