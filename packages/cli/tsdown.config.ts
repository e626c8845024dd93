import { defineConfig, packageBuild } from "../../tsdown.base.ts";

export default defineConfig(packageBuild({ bins: { bin: "src/bin.ts" } }));
