import { describe, expect, it } from "vitest";
import { endpoints, implement, int64, method, returns, service, setOf } from "../src/index.js";

const friends = service("friends", "signed");
const getFriends = method(friends, "getFriends", "getfriends", "The friends of a user.", {
  params: { uid: ["uid", int64] },
  answer: { uids: ["friends", setOf(int64)] },
  result: returns<{ friends: bigint[] }>(),
});
const friendsEndpoints = endpoints({ getfriends: getFriends });

describe("implement", () => {
  it("types a handler from the tables: the request by wire key, 64-bit as bigint", () => {
    const implementation = implement(friendsEndpoints, { getfriends: ({ uid }) => ({ uids: [uid + 1n] }) });
    expect(Object.keys(implementation.handlers)).toEqual(["getfriends"]);
  });
});
