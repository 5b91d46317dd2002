/* builtins.c — the builtin actions: catalog entries like any other, written in Lua on
** the sandbox's host capabilities (host.fs for files, host.http for the web, host.git
** for repositories). */
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

    "--- List the latest commits of a git repository of the workspace, newest first.\n"
    "-- @kind reads\n"
    "-- @tparam string repo\n"
    "-- @tparam integer n\n"
    "-- @treturn table\n"
    "function git_log(repo, n)\n"
    "  return host.git.log(repo, n or 20)\n"
    "end\n",

    "--- Show a commit of a git repository, or a file's text at that commit.\n"
    "-- @kind reads\n"
    "-- @tparam string repo\n"
    "-- @tparam string rev\n"
    "-- @tparam string path\n"
    "-- @treturn any\n"
    "function git_show(repo, rev, path)\n"
    "  return host.git.show(repo, rev or 'HEAD', path)\n"
    "end\n",

    "--- Find the lines of a git repository's files (at HEAD) that contain a text.\n"
    "-- @kind reads\n"
    "-- @tparam string repo\n"
    "-- @tparam string text\n"
    "-- @treturn table\n"
    "function git_grep(repo, text)\n"
    "  return host.git.grep(repo, text)\n"
    "end\n",

    "--- Tell which commit and author last changed each line of a file of a git repository.\n"
    "-- @kind reads\n"
    "-- @tparam string repo\n"
    "-- @tparam string path\n"
    "-- @treturn table\n"
    "function git_blame(repo, path)\n"
    "  return host.git.blame(repo, path)\n"
    "end\n",

    NULL,
};
