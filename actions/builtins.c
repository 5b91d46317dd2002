/* builtins.c — the builtin actions: catalog entries like any other, written in Lua on
** the sandbox's host capabilities (host.fs for files, host.http for the web). */
#include "actions/private.h"

#include <stddef.h>

const char *const builtin_sources[] = {
    "--- Read a text file of the workspace (text, CSV, JSON, Markdown), size-capped.\n"
    "-- @kind reads\n"
    "-- @tparam string path\n"
    "-- @treturn string\n"
    "function read_file(path)\n"
    "  return host.fs.read(path)\n"
    "end\n",

    "--- List the names in a folder of the workspace.\n"
    "-- @kind reads\n"
    "-- @tparam string path\n"
    "-- @treturn table\n"
    "function list_dir(path)\n"
    "  return host.fs.list(path or '.')\n"
    "end\n",

    "--- Write text to a file of the workspace, replacing it.\n"
    "-- @kind writes\n"
    "-- @tparam string path\n"
    "-- @tparam string text\n"
    "-- @treturn boolean\n"
    "function write_file(path, text)\n"
    "  return host.fs.write(path, text)\n"
    "end\n",

    "--- Fetch a URL of an allowed host and return the body of the response.\n"
    "-- @kind reads\n"
    "-- @tparam string url\n"
    "-- @treturn string\n"
    "function http_get(url)\n"
    "  local r = host.http.get(url)\n"
    "  if r.status >= 400 then\n"
    "    error(string.format('http_get %s: status %d', url, r.status), 2)\n"
    "  end\n"
    "  return r.body\n"
    "end\n",

    "--- Give the final answer to the task.\n"
    "-- @kind reads\n"
    "-- @tparam any answer\n"
    "-- @treturn table\n"
    "function final_answer(answer)\n"
    "  return { final_answer = answer }\n"
    "end\n",

    NULL,
};
