import { FpnnError } from "@rtmkit/fpnn";
import type { FileGateHandlers, FilesHandlers } from "@rtmkit/rtm-server-sdk";
import type { Authenticator } from "../auth.js";
import { Refusal } from "../errors.js";
import type { FileService } from "../files/file-service.js";
import { RAISER, verifiedBy } from "./chat-handlers.js";

/** filetoken on the gateway: signed like the chat methods. */
export function createFileTokenHandlers(auth: Authenticator, files: FileService): FilesHandlers {
  const signed = verifiedBy(auth);
  return {
    filetoken: (request, credentials) => signed("filetoken", credentials, (pid) => files.filetoken(pid, request)),
  };
}

/** The file gate's five methods: unsigned, authorised by their token (FileService.send). */
export function createFileGateHandlers(files: FileService): FileGateHandlers {
  return {
    sendfile: (request, credentials) => refusalsAnswered("sendfile", files.send("sendfile", credentials, request)),
    sendfiles: (request, credentials) => refusalsAnswered("sendfiles", files.send("sendfiles", credentials, request)),
    sendgroupfile: (request, credentials) => refusalsAnswered("sendgroupfile", files.send("sendgroupfile", credentials, request)),
    sendroomfile: (request, credentials) => refusalsAnswered("sendroomfile", files.send("sendroomfile", credentials, request)),
    broadcastfile: (request, credentials) => refusalsAnswered("broadcastfile", files.send("broadcastfile", credentials, request)),
  };
}

/** A Refusal becomes an FPNN error answer naming the emulator as raiser; anything else stays an internal failure. */
function refusalsAnswered<T>(method: string, work: Promise<T>): Promise<T> {
  return work.catch((error: unknown) => {
    throw Refusal.is(error) ? new FpnnError(error.code, error.message, { raiser: RAISER, method }) : error;
  });
}
