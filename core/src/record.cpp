#include "rangedb/record.h"

namespace rangedb {

std::string Record::streamName() const
{
    return rangedb::streamName(aggregateType, aggregateId);
}

std::string streamName(std::string_view aggregateType, std::string_view aggregateId)
{
    std::string name;
    name.reserve(aggregateType.size() + 1 + aggregateId.size());
    name.append(aggregateType);
    name.push_back('!');
    name.append(aggregateId);
    return name;
}

Result<std::pair<std::string, std::string>> parseStreamName(std::string_view name)
{
    const auto bang = name.find('!');
    if (bang == std::string_view::npos) {
        return Status::error(ErrorCode::InvalidArgument,
                             "invalid stream name \"" + std::string(name)
                                 + "\": expected aggregateType!aggregateID");
    }
    return std::pair{std::string(name.substr(0, bang)), std::string(name.substr(bang + 1))};
}

Status validateAggregateType(std::string_view type)
{
    const auto refuse = [&](const char *why) {
        return Status::error(ErrorCode::InvalidArgument,
                             "aggregate type \"" + std::string(type) + "\" " + why);
    };
    if (type.empty())
        return Status::error(ErrorCode::InvalidArgument, "aggregate type is empty");
    if (type == "all")
        return refuse("is reserved: its index would be the all-events index");
    if (type.front() == '$')
        return refuse("must not begin with '$': it would collide with the index keys");
    if (type.find('!') != std::string_view::npos)
        return refuse("must not contain '!': it separates type and ID in stream names");
    return {};
}

Status validateAggregateId(std::string_view id)
{
    if (id.empty())
        return Status::error(ErrorCode::InvalidArgument, "aggregate ID is empty");
    if (id.find('!') != std::string_view::npos) {
        return Status::error(ErrorCode::InvalidArgument,
                             "aggregate ID \"" + std::string(id)
                                 + "\" must not contain '!': it separates type and ID in stream names");
    }
    return {};
}

} // namespace rangedb
