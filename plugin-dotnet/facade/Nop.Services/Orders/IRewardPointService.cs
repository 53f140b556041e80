using Nop.Core.Domain.Customers;

namespace Nop.Services.Orders;

public partial interface IRewardPointService
{
    Task<RewardPointsHistory> GetRewardPointsHistoryEntryByIdAsync(int rewardPointsHistoryId);
}
