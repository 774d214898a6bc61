// `pnpm -F @iter8ts/pack-check sizes [-- --tarballs DIR]`: the tarball size, unpacked size and
// installed size (node_modules of a fresh npm project holding just that package and what it
// pulls in) of every public package, then the shared-zod case of issue 17: a consumer that
// already has zod adds @iter8ts/analytics. With --tarballs, measures the .tgz files of DIR
// instead of packing the workspace (tarballs of an older commit, to compare).
import { directoryBytes, freshProject, packAll, readPackedSet, type PackedSet } from "../src/index";

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}
function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

async function main(): Promise<void> {
  const at = process.argv.indexOf("--tarballs");
  const packed: PackedSet = at > 0 && process.argv[at + 1] ? await readPackedSet(process.argv[at + 1]!) : await packAll();
  console.log(`tarballs: ${packed.dir}`);
  console.log(["package".padEnd(40), "tarball".padStart(10), "unpacked".padStart(10), "files".padStart(6), "installed".padStart(11), "zod copies".padStart(11)].join(" "));
  let totalTar = 0;
  for (const pkg of packed.packages) {
    const project = await freshProject({ packed, install: [pkg.name], label: `size-${pkg.name.split("/")[1]}` });
    const zodCopies = Object.keys(project.lockedPackages()).filter((path) => /(^|\/)node_modules\/zod$/.test(path)).length;
    totalTar += pkg.bytes;
    console.log([pkg.name.padEnd(40), kb(pkg.bytes).padStart(10), kb(pkg.unpackedBytes).padStart(10), String(pkg.files.length).padStart(6), mb(project.installedBytes()).padStart(11), String(zodCopies).padStart(11)].join(" "));
  }
  console.log(`all tarballs: ${kb(totalTar)}`);
  const all = await freshProject({ packed, install: packed.packages.map((p) => p.name), label: "size-everything" });
  console.log(`every public package in one project: ${mb(all.installedBytes())}`);

  // A consumer with its own zod: the version analytics asks for as a peer (or pins), and an older 4.x.
  const analytics = packed.get("@iter8ts/analytics").manifest;
  const asked = (analytics.peerDependencies?.zod ?? analytics.dependencies?.zod ?? "").replace(/^\^/, "");
  for (const zod of [asked, "4.5.4"]) {
    const label = `size-own-zod-${zod}`;
    try {
      const project = await freshProject({ packed, install: ["@iter8ts/analytics"], registry: { zod }, label });
      const copies = Object.entries(project.lockedPackages()).filter(([path]) => /(^|\/)node_modules\/zod$/.test(path));
      console.log(`consumer with zod@${zod} + @iter8ts/analytics: ${mb(project.installedBytes())}, zod copies: ${copies.map(([path, e]) => `${path}@${e.version}`).join(", ")} (${mb(copies.reduce((n, [path]) => n + directoryBytes(`${project.dir}/${path}`), 0))} of zod)`);
    } catch (err) {
      const first = (err as Error).message.split("\n").find((l) => /ERESOLVE|peer zod|Could not resolve/.test(l)) ?? (err as Error).message.split("\n")[0];
      console.log(`consumer with zod@${zod} + @iter8ts/analytics: npm refuses (${first?.trim()})`);
    }
  }
}

await main();
