import { Option } from "commander";

/** `--provider MODULE` (repeatable), shared by the commands that query metrics. */
export function providerOption(): Option {
  return new Option(
    "--provider <module>",
    "load metric providers from this package (looked up in node_modules from the current directory up) or file path (./x.js); repeatable",
  ).argParser((value: string, previous: string[] = []) => [...previous, value]);
}
