import type { Connection } from "../connection.js";
import { FpnnError } from "../errors.js";
import { FpnnErrorCode } from "../generated/error-codes.js";
import { createClientKeyExchange, type ClientEncryption } from "./client.js";
import { keyQuestMethod } from "./key-quest.js";

/**
 * The client side of the exchange on a fresh connection: `*key` goes out first and in clear (the
 * C++-compatible payload), everything after it is sealed, and the server's answer arrives sealed too.
 * Resolves once the server answered; rejects with an FpnnError saying the handshake failed.
 */
export async function exchangeKeys(connection: Connection, config: ClientEncryption, maxFrameSize: number, timeoutMs: number): Promise<void> {
  try {
    const exchange = createClientKeyExchange(config, { maxFrameSize });
    const answered = connection.questEncoded(keyQuestMethod, exchange.encodedKeyQuestPayload, { timeout: timeoutMs / 1000 });
    connection.setCipher(exchange.createFrameCipher());
    await answered;
  } catch (cause) {
    throw handshakeError(cause, config);
  }
}

function handshakeError(cause: unknown, config: ClientEncryption): FpnnError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const hint = /wrong server key/.test(detail) ? "" : " (wrong server key or curve, or a server without encryption?)";
  return new FpnnError(
    FpnnErrorCode.CoreInvalidConnection,
    `encryption handshake failed (${config.curve.name}, ${config.bits} bits, ${config.streamMode ? "stream" : "package"} mode): ${detail}${hint}`,
    { method: keyQuestMethod, cause },
  );
}
