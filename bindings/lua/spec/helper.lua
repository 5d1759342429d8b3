-- Shared by the busted specs: the module and the demo data.
local cx = require "cxkit"
local M = { cx = cx, data = os.getenv("CXKIT_DATA") or "examples/data" }

function M.load_demo(s)
  for _, t in ipairs { "customers", "touchpoints", "cases", "interactions", "questions", "feedback", "transactions" } do
    local rep = s:import_csv(t, M.data .. "/" .. t .. ".csv")
    assert(rep:rejected() == 0)
  end
  return s
end

function M.small()
  local s = cx.Store()
  s:add_customer("C-1", "consumer", "الرياض", "premium", "2024-01-15")
  s:add_customer("C-2", "business", "جدة")
  s:set_attribute("C-1", "name", "سارة العتيبي")
  s:add_touchpoint("website", "web", "consideration", "sales", true, 2.0)
  s:add_touchpoint("support_phone", "phone", "service", "service", true, 2.0)
  s:add_case("T-1", "C-1", "phone", "high", "نورة", "2024-03-09T17:00:00+03:00",
             "2024-03-09T17:45:00+03:00", "2024-03-10T11:47:00+03:00", 0, 1)
  s:add_interaction("C-1", "website", "2024-03-01T20:40:00+03:00", "visit")
  s:add_interaction("C-1", "support_phone", "2024-03-09T17:00:00+03:00", "contact", "inbound", "نورة", "T-1", 600000)
  s:add_feedback("C-1", "csat", 4, "2024-03-10T12:00:00+03:00", "support_phone", nil, "T-1", "خدمة ممتازة 👍")
  s:add_transaction("C-1", "2024-03-02T10:05:00+03:00", 420.0)
  return s
end

return M
