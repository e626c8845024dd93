import { createECDH } from "node:crypto";

/**
 * The encrypted answer server's key pair (secp256k1, test-only): both processes derive it from the
 * same private key, so the client knows the server's public key without any exchange of files.
 */
export const BENCH_PRIVATE_KEY = Buffer.from("3b1f5e0a9c7d2e4f60718293a4b5c6d7e8f90112233445566778899aabbccdd0", "hex");

const ecdh = createECDH("secp256k1");
ecdh.setPrivateKey(BENCH_PRIVATE_KEY);
export const BENCH_PUBLIC_KEY: Buffer = ecdh.getPublicKey().subarray(1);
