import type { Output } from "./output.js";

export type RegisterUserEvent = {
  type: "user_registered";
  host: string;
  userId: string;
  admin: boolean;
};

export function registerUserView(out: Output): (e: RegisterUserEvent) => void {
  return (e) => {
    const text = `${e.host}: registered ${e.userId}${e.admin ? " (server admin)" : ""}.`;
    if (out.options.json)
      out.event("info", text, e.type, { host: e.host, user_id: e.userId, admin: e.admin });
    else out.line(text);
  };
}
