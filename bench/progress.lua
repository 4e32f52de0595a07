-- PUT /api/v1/progress/:id as a player would, each wrk thread a device with its own
-- rising sequence numbers, spread over the files in FILES.
local auth = os.getenv("AUTH")
local files = {}
for id in string.gmatch(os.getenv("FILES"), "%d+") do files[#files + 1] = id end
local counter = 0

function setup(thread)
    counter = counter + 1
    thread:set("device", "bench-" .. counter)
end

local seq = 0
request = function()
    seq = seq + 1
    local file = files[math.random(#files)]
    local body = string.format('{"position":%.3f,"event":"timeupdate","device_id":"%s","seq":%d}',
        math.random() * 5, device, seq)
    return wrk.format("PUT", "/api/v1/progress/" .. file,
        {["Authorization"] = auth, ["Content-Type"] = "application/json"}, body)
end
