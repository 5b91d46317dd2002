--- Count the data rows of a CSV file.
-- @kind reads
-- @tparam string path
-- @treturn integer
function count_csv_rows(path)
  return 0
end
