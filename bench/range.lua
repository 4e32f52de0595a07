-- Random byte ranges of CHUNK bytes in a file of FILE_SIZE bytes, each request carrying
-- the same Authorization header.
local size = tonumber(os.getenv("FILE_SIZE"))
local chunk = tonumber(os.getenv("CHUNK"))
local auth = os.getenv("AUTH")
local path = os.getenv("URL_PATH")
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))

request = function()
    local start = math.random(0, size - chunk)
    return wrk.format("GET", path, {
        ["Range"] = "bytes=" .. start .. "-" .. (start + chunk - 1),
        ["Authorization"] = auth,
    })
end
