import { valueAddedEndpoints } from "@rtmkit/rtm-server-sdk";
import { Refusal, RtmErrorCode } from "../errors.js";

/** What each value-added FPNN method is, for the refusal that names it. */
const SERVICE_NAMES: Readonly<Record<keyof typeof valueAddedEndpoints, string>> = {
  translate: "translation",
  profanity: "profanity filter",
  transcribe: "speech recognition",
  stranscribe: "speech recognition",
  speech2text: "speech recognition",
  tcheck: "text check",
  icheck: "image check",
  acheck: "audio check",
  vcheck: "video check",
};

/**
 * The value-added methods of an emulator given no handlers for them: each refuses with
 * NO_CONFIG_IN_CONSOLE (what RTM answers for a service the project has not configured), naming the
 * service and how to supply one. A user's handlers replace these (startEmulator({ handlers }), rtm-emulator --handlers).
 */
export function unconfiguredValueAdded(): { [M in keyof typeof valueAddedEndpoints]: () => never } {
  const service = {} as Record<string, () => never>;
  for (const [fpnn, name] of Object.entries(SERVICE_NAMES)) {
    service[fpnn] = () => {
      throw new Refusal(
        RtmErrorCode.NoConfigInConsole,
        `${fpnn}: the emulator has no ${name} service; supply a handler: startEmulator({ handlers: [implement(valueAddedEndpoints, { ${fpnn}: ... })] }) or rtm-emulator --handlers <module>`,
      );
    };
  }
  return service as { [M in keyof typeof valueAddedEndpoints]: () => never };
}
