namespace Nop.Services.ScheduleTasks;

public partial interface IScheduleTask
{
    Task ExecuteAsync();
}
