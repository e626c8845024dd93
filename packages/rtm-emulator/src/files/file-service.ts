import { fileSign, type FileTokenAuth, type RequestOf } from "@rtmkit/protocol";
import type { fileGateEndpoints, filesEndpoints } from "@rtmkit/rtm-server-sdk";
import type { ChatService, SendAnswer } from "../chat-service.js";
import { Refusal, RtmErrorCode } from "../errors.js";
import { byteLength } from "../limits.js";
import type { FileStore } from "../storage/file-store.js";
import { fileCommandOf, targetOf, type FileCommand } from "./file-commands.js";
import type { FileTokens } from "./file-tokens.js";
import { fileUrl } from "./file-url.js";
import { readGateAttrs, storedAttrs } from "./gate-attrs.js";

export type FileTokenRequest = RequestOf<(typeof filesEndpoints)["filetoken"]>;
/** A gate quest of any of the five methods, as the generated contract checked it: `file` holds the bytes as sent. */
export type GateRequest = RequestOf<(typeof fileGateEndpoints)[FileCommand]> & { readonly to?: bigint; readonly tos?: bigint[]; readonly gid?: bigint; readonly rid?: bigint };

export interface FileTokenAnswer {
  token: string;
  endpoint: string;
}

export interface FileLimits {
  /** Largest file, bytes; over it: LargeFileOrAttrs. */
  readonly maxFileBytes: number;
  /** Largest attrs a stored file message gets, bytes; over it: LargeFileOrAttrs. */
  readonly maxAttrsBytes: number;
}

/** 4 MiB: a photo, a voice message or a short clip; far below the gate's frame limit. */
export const DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;

export const FILE_MTYPE_MIN = 40;
export const FILE_MTYPE_MAX = 50;
const IMAGE_MTYPE = 40;

export interface FileServiceParts {
  readonly tokens: FileTokens;
  readonly files: FileStore;
  /** File messages are stored as the chat sends store messages (same checks, same tables, same history). */
  readonly chat: ChatService;
  /** "host:port" of the file gate, named by filetoken and by the file URLs (known once it listens). */
  readonly gateEndpoint: () => string;
  readonly limits: FileLimits;
}

/**
 * RTM's file sends, in the emulator: filetoken on the gateway issues a token for one send, the gate checks the
 * quest against it (token, file sign, mtype, size), stores the bytes and stores a file message whose msg is
 * `{url, size}` (+ `surl` for images) and whose attrs is the nested `{rtm, custom}` form.
 */
export class FileService {
  readonly #parts: FileServiceParts;

  constructor(parts: FileServiceParts) {
    this.#parts = parts;
  }

  filetoken(pid: number, request: FileTokenRequest): FileTokenAnswer {
    const command = fileCommandOf(request.cmd);
    const target = targetOf(command, request);
    return { token: this.#parts.tokens.issue({ pid, from: request.from, command, target }), endpoint: this.#parts.gateEndpoint() };
  }

  /** A quest of the gate method `command`: checked, then stored; answers its mtime once committed. */
  async send(command: FileCommand, auth: FileTokenAuth, request: GateRequest): Promise<SendAnswer> {
    const { tokens, files, limits, gateEndpoint } = this.#parts;
    const pid = tokens.use(auth.token, { pid: auth.pid, from: request.from, command, target: targetOf(command, request) });
    const attrs = readGateAttrs(auth.attrs);
    if (attrs.sign.toLowerCase() !== fileSign(request.file, auth.token)) {
      throw new Refusal(RtmErrorCode.InvalidFileOrSignOrToken, "the file sign does not match the file and token");
    }
    if (request.mtype < FILE_MTYPE_MIN || request.mtype > FILE_MTYPE_MAX) {
      throw new Refusal(RtmErrorCode.InvalidFileMtype, `mtype must be ${FILE_MTYPE_MIN}..${FILE_MTYPE_MAX} for a file, got ${request.mtype}`);
    }
    const size = request.file.byteLength;
    if (size > limits.maxFileBytes) throw new Refusal(RtmErrorCode.LargeFileOrAttrs, `the file is ${size} bytes, the limit is ${limits.maxFileBytes}`);
    const attrsText = storedAttrs(attrs);
    const attrsBytes = byteLength(attrsText);
    if (attrsBytes > limits.maxAttrsBytes) throw new Refusal(RtmErrorCode.LargeFileOrAttrs, `attrs is ${attrsBytes} bytes, the limit is ${limits.maxAttrsBytes}`);

    const url = fileUrl(gateEndpoint(), pid, files.put(pid, request.file));
    const msg = JSON.stringify(request.mtype === IMAGE_MTYPE ? { url, size, surl: url } : { url, size });
    return this.#store(command, pid, request, msg, attrsText);
  }

  #store(command: FileCommand, pid: number, request: GateRequest, msg: string, attrs: string): Promise<SendAnswer> {
    const { chat } = this.#parts;
    const base = { from: request.from, mtype: request.mtype, mid: request.mid, msg, attrs };
    switch (command) {
      case "sendfile":
        return chat.sendmsg(pid, { ...base, to: request.to! });
      case "sendfiles":
        return chat.sendmsgs(pid, { ...base, tos: request.tos! });
      case "sendgroupfile":
        return chat.sendgroupmsg(pid, { ...base, gid: request.gid! });
      case "sendroomfile":
        return chat.sendroommsg(pid, { ...base, rid: request.rid! });
      case "broadcastfile":
        return chat.broadcastmsg(pid, base);
    }
  }
}
