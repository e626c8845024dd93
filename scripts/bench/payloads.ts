/** A realistic `sendmsg` quest as the RTM SDK sends it (docs/protocol/rtm-wire.md, "Send methods", with the auth keys of docs/protocol/signing.md). */
export const SENDMSG_METHOD = "sendmsg";

const SIGN = "BC0AD8F9F04D166FFCE06851FCCF1A0B";
const MESSAGE = "hello from the benchmark: a chat line of a realistic length, about 80 chars.";

let counter = 7712190559145689088n;

/** A fresh payload per call: new salt and mid (bigint, as the SDK sends them). */
export function sendmsgPayload(): Record<string, unknown> {
  counter += 2n;
  return {
    pid: 11000001,
    sign: SIGN,
    salt: counter,
    ts: 1795634291,
    mtype: 30,
    from: 1001,
    to: 1002,
    mid: counter + 1n,
    msg: MESSAGE,
    attrs: "{}",
  };
}
