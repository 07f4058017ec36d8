"""Decode ASTERIX with the independent ``asterix-decoder`` package and print JSON.

Run with the Python of a separate virtual environment that has ``asterix-decoder``
installed (it is GPL-licensed and its module is also called ``asterix``, so it never
shares an environment with flankwatch). flankwatch's tests start this script as a
subprocess; nothing imports it.

Input: datagrams as hexadecimal text on standard input, one per line (blank lines
are ignored), or with ``--file PATH`` one binary file read as a single datagram.
Output: a JSON list with one entry per datagram, each a list of its records as
``{"category": 48, "items": {"I010": {"SAC": 1, "SIC": 2}, ...}}``. Values are the
decoder's own, in the units of its category definitions (NM, ft, FL, kt, deg, s); a
compound item's subitems are nested one level deeper. An input line that is not
hexadecimal ends the script with exit code 2 and a message naming the line.
"""

import argparse
import json
import sys
from typing import Any

import asterix


def values(node: Any) -> Any:
    """The decoded tree with each ``{"val": x, ...}`` leaf replaced by ``x``."""
    if isinstance(node, dict):
        if "val" in node:
            return node["val"]
        return {key: values(child) for key, child in node.items()}
    if isinstance(node, list):
        return [values(child) for child in node]
    return node


def records(datagram: bytes) -> list[dict[str, Any]]:
    """The records of one datagram: category and items (all keys named I<item>)."""
    return [
        {
            "category": record["category"],
            "items": {key: values(item) for key, item in record.items() if key[:1] == "I"},
        }
        for record in asterix.parse(datagram, verbose=False)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", help="a binary file read as one datagram")
    arguments = parser.parse_args()
    if arguments.file:
        with open(arguments.file, "rb") as file:
            datagrams = [file.read()]
    else:
        datagrams = []
        for number, line in enumerate(sys.stdin, start=1):
            if line.strip():
                try:
                    datagrams.append(bytes.fromhex(line.strip()))
                except ValueError:
                    print(f"standard input line {number}: not hexadecimal text", file=sys.stderr)
                    sys.exit(2)
    json.dump([records(datagram) for datagram in datagrams], sys.stdout)


if __name__ == "__main__":
    main()
