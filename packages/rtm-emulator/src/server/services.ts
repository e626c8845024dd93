import type { Connection } from "@rtmkit/fpnn";
import type { Database } from "better-sqlite3";
import { registerImplementation, type Endpoints, type HandlerTarget, type Handlers, type Implementation, type RegisterOptions } from "@rtmkit/protocol";
import {
  chatEndpoints,
  dataEndpoints,
  devicesEndpoints,
  filesEndpoints,
  friendsEndpoints,
  groupsEndpoints,
  listenEndpoints,
  roomsEndpoints,
  rtcEndpoints,
  usersEndpoints,
  valueAddedEndpoints,
} from "@rtmkit/rtm-server-sdk";
import type { Authenticator } from "../auth.js";
import { ChatService } from "../chat-service.js";
import type { ChatLimits } from "../limits.js";
import { DataService } from "../services/data.js";
import { DevicesService } from "../services/devices.js";
import { FriendsService } from "../services/friends.js";
import { GroupsService } from "../services/groups.js";
import { ListenService } from "../services/listen.js";
import { RoomsService } from "../services/rooms.js";
import { RtcService } from "../services/rtc.js";
import { UsersService, type PresenceListener } from "../services/users.js";
import { unconfiguredValueAdded } from "../services/value-added.js";
import type { ChatStorage } from "../storage/chat-storage.js";
import { createChatHandlers, verifiedBy } from "./chat-handlers.js";
import { signedHandlers } from "./service-handlers.js";

/** What the services share with the rest of the emulator (the push hub). */
export interface ServiceLinks {
  /** The listen registry (the push hub reads it); a new one when absent. */
  readonly listen?: ListenService<Connection>;
  /** A user went online or offline (setOnline, kickout, addprojectblack). */
  readonly onPresenceChange?: PresenceListener;
}

/** Every service of the emulator, over one database. */
export class EmulatorServices {
  readonly chat: ChatService;
  readonly friends: FriendsService;
  readonly groups: GroupsService;
  readonly rooms: RoomsService;
  readonly users: UsersService;
  readonly data: DataService;
  readonly devices: DevicesService;
  readonly rtc: RtcService;
  readonly listen: ListenService<Connection>;

  constructor(storage: ChatStorage, db: Database, limits: ChatLimits, now: (() => number) | undefined, links: ServiceLinks = {}) {
    const options = { now };
    this.listen = links.listen ?? new ListenService();
    this.friends = new FriendsService(db, options);
    this.groups = new GroupsService(db, options);
    this.rooms = new RoomsService(db, options);
    this.users = new UsersService(db, { now, onPresenceChange: links.onPresenceChange });
    this.data = new DataService(db, options);
    this.devices = new DevicesService(db, options);
    this.rtc = new RtcService(db, options);
    this.chat = new ChatService(storage, limits, {
      groupBanned: (pid, gid, uid) => this.groups.isBanned(pid, gid, uid),
      roomBanned: (pid, rid, uid) => this.rooms.isBanned(pid, rid, uid),
      blocks: (pid, owner, other) => this.friends.blocks(pid, owner, other),
    });
  }

  /** The rows of a project were replaced wholesale (admin reset or import): the checks that cache "has rows" ask again. */
  rowsReplaced(pid: number): void {
    this.friends.rowsReplaced(pid);
    this.groups.rowsReplaced(pid);
    this.rooms.rowsReplaced(pid);
  }
}

/**
 * Registers every RTM endpoint on the server, each behind the signature check. A user's implementation
 * registered afterwards replaces the handlers of the methods it handles (see overridesOnly).
 */
export function registerServices(server: HandlerTarget, auth: Authenticator, services: EmulatorServices, options: RegisterOptions<Endpoints>): void {
  // Each table's handlers are checked against it where they are built (createChatHandlers, signedHandlers).
  const register = (table: Endpoints, handlers: object): void => {
    registerImplementation(server, { endpoints: table, handlers: handlers as Readonly<Record<string, unknown>> }, options);
  };
  register(chatEndpoints, createChatHandlers(auth, services.chat));
  register(friendsEndpoints, signedHandlers(auth, friendsEndpoints, services.friends));
  register(groupsEndpoints, signedHandlers(auth, groupsEndpoints, services.groups));
  register(roomsEndpoints, signedHandlers(auth, roomsEndpoints, services.rooms));
  register(usersEndpoints, signedHandlers(auth, usersEndpoints, services.users));
  register(dataEndpoints, signedHandlers(auth, dataEndpoints, services.data));
  register(devicesEndpoints, signedHandlers(auth, devicesEndpoints, services.devices));
  register(rtcEndpoints, signedHandlers(auth, rtcEndpoints, services.rtc));
  register(valueAddedEndpoints, signedHandlers(auth, valueAddedEndpoints, unconfiguredValueAdded()));
  register(listenEndpoints, listenHandlers(auth, services.listen));
}

/** The listen methods: their state belongs to the quest's connection, in the quest's project. */
function listenHandlers(auth: Authenticator, listen: ListenService<Connection>): Handlers<typeof listenEndpoints> {
  const signed = verifiedBy(auth);
  return {
    addlisten: (request, credentials, { connection }) => signed("addlisten", credentials, (pid) => listen.addlisten(pid, connection, request)),
    removelisten: (request, credentials, { connection }) => signed("removelisten", credentials, (pid) => listen.removelisten(pid, connection, request)),
    setlisten: (request, credentials, { connection }) => signed("setlisten", credentials, (pid) => listen.setlisten(pid, connection, request)),
  };
}

/** The tables the emulator serves itself. */
const BUILT_IN: readonly Endpoints[] = [chatEndpoints, filesEndpoints, friendsEndpoints, groupsEndpoints, roomsEndpoints, usersEndpoints, dataEndpoints, devicesEndpoints, rtcEndpoints, valueAddedEndpoints, listenEndpoints];
const builtInMethods = new Set(BUILT_IN.flatMap((table) => Object.keys(table)));

/** The FPNN methods the emulator serves itself, plus those of the user's implementations (the admin model's fault form offers these). */
export function servedMethods(implementations: readonly Implementation[] = []): string[] {
  const methods = new Set(builtInMethods);
  for (const implementation of implementations) for (const method of Object.keys(implementation.endpoints)) methods.add(method);
  return [...methods].sort();
}

/**
 * A user's implementation without the endpoints it leaves to the emulator: a method of an RTM table it gives
 * no handler for keeps the emulator's (only methods of the user's own tables answer 20004 when unhandled).
 */
export function overridesOnly(implementation: Implementation): Implementation {
  const endpoints = Object.fromEntries(Object.entries(implementation.endpoints).filter(([fpnn]) => typeof implementation.handlers[fpnn] === "function" || !builtInMethods.has(fpnn)));
  return { endpoints, handlers: implementation.handlers };
}
