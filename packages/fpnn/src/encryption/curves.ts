import { EncryptionError } from "./errors.js";

/** The curves FPNN defines for the key exchange. */
export type CurveName = "secp256k1" | "secp256r1" | "secp224r1" | "secp192r1";

export interface Curve {
  readonly name: CurveName;
  /** The name node:crypto knows it by. */
  readonly nodeName: string;
  /** Bytes per coordinate (and per private scalar): raw X||Y is twice this. */
  readonly size: number;
}

const curves: readonly Curve[] = [
  { name: "secp256k1", nodeName: "secp256k1", size: 32 },
  { name: "secp256r1", nodeName: "prime256v1", size: 32 },
  { name: "secp224r1", nodeName: "secp224r1", size: 28 },
  { name: "secp192r1", nodeName: "prime192v1", size: 24 },
];

const byAnyName = new Map<string, Curve>();
for (const curve of curves) {
  byAnyName.set(curve.name, curve);
  byAnyName.set(curve.nodeName, curve);
}

export const defaultCurve: Curve = curves[0]!;

export const curveNames: readonly CurveName[] = curves.map((c) => c.name);

/** Accepts the FPNN name or the node:crypto name (`prime256v1`, `prime192v1`). */
export function resolveCurve(name: unknown, field = "curve"): Curve {
  const curve = typeof name === "string" ? byAnyName.get(name) : undefined;
  if (curve === undefined) {
    throw new EncryptionError(`${field}: unknown curve ${JSON.stringify(name)}; expected one of ${curveNames.join(", ")}`);
  }
  return curve;
}

/** The curve a node:crypto KeyObject reports, or an error naming the unsupported one. */
export function curveOfNodeName(nodeName: string | undefined, field: string): Curve {
  const curve = nodeName === undefined ? undefined : byAnyName.get(nodeName);
  if (curve === undefined) {
    throw new EncryptionError(`${field}: the key is on curve ${nodeName ?? "(none)"}, which FPNN does not support; expected one of ${curveNames.join(", ")}`);
  }
  return curve;
}
