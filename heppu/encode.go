package heppu

import "encoding/json"

// appendJSON appends the request to b as encoding/json encodes it, without
// reflection: every create sends one. It reports false, leaving the work to
// encoding/json, where the config's appendJSON does.
func (r *CreateAgentRequest) appendJSON(b []byte) ([]byte, bool) {
	o := beginObject(b)
	o.String("name", r.Name)
	o.String("type", string(r.Type))
	o.StringOmitEmpty("model", r.Model)
	o.StringOmitEmpty("instructions", r.Instructions)
	if r.Config != nil {
		o.Key("config")
		var ok bool
		if o.B, ok = r.Config.appendJSON(o.B); !ok {
			o.Fail()
		}
	}
	if len(r.ToolIDs) > 0 {
		o.Strings("toolIds", r.ToolIDs)
	}
	return o.End()
}

// encodeBody encodes a request body: without reflection when the body
// can, with encoding/json otherwise.
func encodeBody(in any) ([]byte, error) {
	if a, ok := in.(interface{ appendJSON([]byte) ([]byte, bool) }); ok {
		if b, ok := a.appendJSON(make([]byte, 0, 512)); ok {
			return b, nil
		}
	}
	return json.Marshal(in)
}
