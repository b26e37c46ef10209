// The official OpenSandbox JS SDK, unchanged, against a Moat server: create, command, file write/read, kill.
// Env: OPEN_SANDBOX_DOMAIN (host:port), OPEN_SANDBOX_API_KEY. Prints one line per step; exits non-zero on failure.
import { ConnectionConfig, Sandbox, SandboxManager } from "@alibaba-group/opensandbox";

const config = new ConnectionConfig({
  domain: process.env.OPEN_SANDBOX_DOMAIN,
  apiKey: process.env.OPEN_SANDBOX_API_KEY,
  requestTimeoutSeconds: 60,
});
const sandbox = await Sandbox.create({ connectionConfig: config, image: "moat/base:latest", timeoutSeconds: 600 });
try {
  console.log("created " + sandbox.id);
  const execution = await sandbox.commands.run("echo hello from $(uname -s)");
  console.log("stdout " + execution.logs.stdout.map((m) => m.text).join("|"));
  await sandbox.files.writeFiles([{ path: "/workspace/sdk.txt", data: "written by the js sdk", mode: 644 }]);
  console.log("read " + (await sandbox.files.readFile("/workspace/sdk.txt")));
  const info = await sandbox.getInfo();
  console.log("state " + info.status.state);
  const manager = SandboxManager.create({ connectionConfig: config });
  const listed = await manager.listSandboxInfos({});
  console.log("listed " + listed.items.some((s) => s.id === sandbox.id));
  await manager.close();
} finally {
  await sandbox.kill();
  console.log("killed");
  await sandbox.close();
}
