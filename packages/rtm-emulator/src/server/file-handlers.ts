import type { FileTokenAuth } from "@rtmkit/protocol";
import { fileGateEndpoints, type FileGateHandlers, type FilesHandlers } from "@rtmkit/rtm-server-sdk";
import type { Authenticator } from "../auth.js";
import type { FileService, GateRequest } from "../files/file-service.js";
import { toFpnnError, verifiedBy } from "./chat-handlers.js";

/** filetoken on the gateway: signed like the chat methods. */
export function createFileTokenHandlers(auth: Authenticator, files: FileService): FilesHandlers {
  const signed = verifiedBy(auth);
  return {
    filetoken: (request, credentials) => signed("filetoken", credentials, (pid) => files.filetoken(pid, request)),
  };
}

/** The file gate's five methods: unsigned, authorised by their token (FileService.send). */
export function createFileGateHandlers(files: FileService): FileGateHandlers {
  const handlers: Record<string, unknown> = {};
  for (const method of Object.keys(fileGateEndpoints) as (keyof FileGateHandlers)[]) {
    handlers[method] = (request: GateRequest, credentials: FileTokenAuth) =>
      files.send(method, credentials, request).catch((error: unknown) => {
        throw toFpnnError(method, error);
      });
  }
  return handlers as FileGateHandlers;
}
